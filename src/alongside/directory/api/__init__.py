"""Open Referral UK 3.0 (HSDS 3.0) read API for the directory; see views.py and urls.py."""
