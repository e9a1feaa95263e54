"""Domain logic of the county and provincial servers; never imports the HTTP layer or the CLI."""
