"""The agreement pages (mounted by reviews/urls.py under /o/<org_slug>/): my KRAs, my
team, an agreement with its drafting, signing and versions, its PDF."""
