"""Python client for the RapidPro HTTP API v2, a drop-in replacement for rapidpro-python.

Usage::

    from temba_client.v2 import TembaClient

    client = TembaClient("rapidpro.io", "your-api-token")
    for contact in client.get_contacts(group="Reporters"):
        print(contact.name)
"""

__version__ = "3.0.0"

#: Name sent in the User-Agent header: servers and their operators know this client by it.
CLIENT_NAME = "rapidpro-python"
CLIENT_VERSION = __version__
