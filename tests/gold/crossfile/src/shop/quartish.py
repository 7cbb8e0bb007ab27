"""Re-exports a same-named function from another library."""
from quart import make_response
