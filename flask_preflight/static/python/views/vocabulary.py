"""Words PF301 and the route model share: which exception classes are meant for clients and which describe
internals (an error handler is only worth checking for the latter)."""

from __future__ import annotations

import builtins
import re

WERKZEUG_HTTP = {
    "HTTPException", "BadRequest", "BadRequestKeyError", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed",
    "NotAcceptable", "RequestTimeout", "Conflict", "Gone", "LengthRequired", "PreconditionFailed",
    "RequestEntityTooLarge", "RequestURITooLarge", "UnsupportedMediaType", "RequestedRangeNotSatisfiable",
    "ExpectationFailed", "ImATeapot", "UnprocessableEntity", "Locked", "FailedDependency", "PreconditionRequired",
    "TooManyRequests", "RequestHeaderFieldsTooLarge", "UnavailableForLegalReasons", "InternalServerError",
    "NotImplemented", "BadGateway", "ServiceUnavailable", "GatewayTimeout", "HTTPVersionNotSupported",
    "SecurityError", "ClientDisconnected",
}
# Exceptions whose message is meant for the client: validation errors and HTTP errors.
CLIENT_FACING_RE = re.compile(r"Validation|Invalid|BadRequest|HTTPException|NotFound|Unauthori[sz]ed|Forbidden|"
                              r"Conflict|MethodNotAllowed|Unprocessable|Marshmallow|JSONDecodeError|Abort|"
                              r"(Schema|Form|Auth|Authentication|Authorization)(?![a-z])|"
                              r"API(Error|Exception)|Api(Error|Exception)|PublicError|UserError|UserFacing")
CLIENT_FACING_PACKAGES = ("werkzeug", "flask", "marshmallow", "pydantic", "wtforms", "jsonschema", "cerberus",
                          "voluptuous", "webargs", "flask_smorest", "flask_restful", "flask_restx", "apiflask")
BUILTIN_EXCEPTIONS = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                      and issubclass(getattr(builtins, n), BaseException)}
# Libraries whose exceptions describe internals (SQL, hosts, URLs): an errorhandler for one of these leaks.
INTERNAL_ERROR_PACKAGES = {"sqlalchemy", "flask_sqlalchemy", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql",
                           "sqlite3", "pymongo", "mongoengine", "redis", "requests", "urllib3", "httpx", "urllib",
                           "botocore", "boto3", "peewee", "elasticsearch", "celery", "kombu", "smtplib", "socket",
                           "ssl", "subprocess", "os", "io", "json", "http", "ldap", "ldap3", "grpc", "stripe",
                           "openai"}
