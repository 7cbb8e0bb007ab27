"""Gold (cross-file): a src layout whose package re-exports flask names through compat."""
