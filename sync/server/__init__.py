"""The county / provincial server (FastAPI + uvicorn, SQLAlchemy Core)."""
