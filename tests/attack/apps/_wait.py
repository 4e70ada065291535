"""Shared by the hostile apps: wait until a port listens, so every attack is in place when the import ends."""
import socket
import time


def until_listening(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the attack's server on port {port} did not start")


def armed(marker_var: str = "ATTACK_MARKER") -> bool:
    """True unless ``marker_var`` names a file that does not exist yet (then it is created): with the variable
    set, only the second and later imports attack (serve's worker, not its pre-start check)."""
    import os

    marker = os.environ.get(marker_var)
    if not marker:
        return True
    if os.path.exists(marker):
        return True
    open(marker, "w").close()
    return False
