"""URL modules of the kras app: pages (objectives, kras, cascade, templates) and API
(api_*), each mounted by kra_platform/urls.py."""
