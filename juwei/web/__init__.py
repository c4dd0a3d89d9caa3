"""What juwei serves over HTTP: the public count board (``juwei board``), read-only."""
