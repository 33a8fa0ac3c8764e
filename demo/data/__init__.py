"""The demo's fixed content: tables only, no database access."""
