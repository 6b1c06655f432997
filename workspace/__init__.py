"""The relationship workspace: what a matched mentor and mentee share between meetings —
their conversation, goals, mentoring agreement — and each one's private notes."""
