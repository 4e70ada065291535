"""What the runtime checks know besides the app object itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple


@dataclass(frozen=True)
class ServerStart:
    """A call that tried to start a server while the app module was imported (``app.run()`` at top level)."""

    kind: str  # "app.run()", "run_simple()", "socketio.run()"
    path: str
    line: int


@dataclass
class AppContext:
    """``target`` as given (``wsgi:app``); ``target_path`` is the file that defines the app object, used as
    the location of findings about configuration; ``server_starts`` were stopped during the import."""

    target: str
    target_path: str
    target_line: int = 1
    server_starts: List[ServerStart] = field(default_factory=list)
    env: Tuple[Tuple[str, str], ...] = ()  # the environment the app was loaded with (--env/--env-file)
    deploy_proxy: Optional[bool] = None  # the deployment files show a reverse proxy (None: unknown)
    # WSGI layers around the Flask object, outside ``app.wsgi_app`` (the served object is
    # ``ProxyFix(app)``/``DebuggedApplication(app)``/``DispatcherMiddleware(app, {...})``), outermost first
    outer_layers: Tuple[Any, ...] = ()
    # set when the checked app is mounted in a DispatcherMiddleware: its prefix ("/api"); messages then name
    # "the app mounted at /api" instead of "the loaded app"
    mount: Optional[str] = None
    outer_name: str = ""  # how outer_layers[0] is reached, in messages ("app.wsgi_app.mounts['/api']")

    @property
    def app_label(self) -> str:
        return f"the app mounted at {self.mount}" if self.mount is not None else "the loaded app"
