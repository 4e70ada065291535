"""Rule pack 3: error details leaked to clients and unprotected diagnostic routes (PF301, PF310)."""
