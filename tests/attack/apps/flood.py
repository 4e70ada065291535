"""Attack 14: prints in a loop at import - FLOOD_MB megabytes to stdout, or forever with FLOOD_MB=forever."""
import os
import sys

from flask import Flask

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

_line = "x" * 1023 + "\n"
_amount = os.environ.get("FLOOD_MB", "0")
_n = 0
while _amount == "forever" or _n < int(_amount) * 1024:
    sys.stdout.write(_line)
    _n += 1
sys.stdout.write("flood done\n")
sys.stdout.flush()
