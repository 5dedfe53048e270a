"""Where benchmark files live: local disk, an S3-compatible store, request and byte counting.

Adapters never know which store they write to: storage hands them a location.
"""
