"""``inspect``: load the app the way a WSGI server does - in a child process - and check what will run."""
