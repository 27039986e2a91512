//! What a quoted AT string may hold (commands helper's task).
