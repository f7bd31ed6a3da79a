"""Writes for Talking Points, one module per concern: `contacts` (the front door and the
assessment waiting list), `schedule` (hubs, sessions, slots, closures), `bookings` (booking,
cancelling, the waiting list), `messages` (what people are sent), `conversations` (the
conversation, its outcomes and the survey)."""
