"""The wire and the upstream side: protocol, crypto, client engine and servers."""
