"""Notifications to applicants' phones: templates, provider adapters and a durable queue.

``messages`` renders a :class:`~queue_server.notify.messages.Message` (template key,
language, the few parameters it needs) through the gettext catalogs; ``gateways`` sends it
through one of three providers (signed webhook, WhatsApp Business Cloud API, SMS HTTP
gateway); ``queue`` stores it until a provider accepted it and ``worker`` drives the retries.
Phone numbers are never logged; once a message is settled only a keyed hash of the number
remains.
"""
