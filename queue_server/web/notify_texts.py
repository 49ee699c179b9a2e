"""The texts of the notification screens: the admin console's Notifications section and
the officer console's "BAP approved" dialog and pickup-message line (key -> English msgid)."""

from __future__ import annotations

ADMIN_TEXTS: dict[str, str] = {
    "sec_notifications": "Notifications",
    "ntf_today": "Today",
    "ntf_recent": "Latest messages",
    "ntf_all": "All",
    "col_template": "Message",
    "col_recipient": "Recipient",
    "col_attempts": "Attempts",
    "col_error": "Last error",
    "col_settled": "Settled",
    "ntf_retry": "Send again",
    "ntf_retry_prompt": (
        "The mobile number this message was for (a sent or failed message keeps no number):"
    ),
    "ntf_retried": "The message is queued again.",
    "ntf_opted_out": "opted out",
    "ntf_optouts": "Opt-out list",
    "ntf_optout_hint": (
        "No message is sent to these numbers. Only a masked form of each number is shown."
    ),
    "ntf_phone": "Mobile number",
    "ntf_optout_add": "Add to the list",
    "ntf_optout_remove": "Remove",
    "ntf_optout_added": "{phone} receives no more messages.",
    "ntf_optout_removed": "{phone} may receive messages again.",
}
STATUS_WORDS: dict[str, str] = {
    "pending": "Pending",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
}
TEMPLATE_WORDS: dict[str, str] = {
    "passport_ready": "Passport ready",
    "number_near": "Number near",
    "bap_approved": "BAP approved",
    "registration_confirmed": "Registration confirmed",
    "registration_refused": "Registration refused",
}
CONSOLE_TEXTS: dict[str, str] = {
    "bap_button": "BAP approved: tell the applicant",
    "bap_title": "BAP approved - please come back",
    "bap_hint": "A WhatsApp/SMS message asks the applicant to come back. Sent once per visit.",
    "bap_phone": "Applicant's mobile number",
    "bap_language": "Language of the message",
    "bap_send": "Send",
    "bap_queued": "The message is queued.",
    "bap_already": "This visit's message was queued before; nothing more is sent.",
    "pickup_msg_none": 'No "passport ready" message was sent.',
    "pickup_msg_sent": '"Passport ready" message sent {time}.',
    "pickup_msg_pending": '"Passport ready" message queued {time}, not sent yet.',
    "pickup_msg_failed": '"Passport ready" message failed ({time}).',
}
