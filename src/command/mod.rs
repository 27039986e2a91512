//! Typed AT commands: one struct per verb and form (commands helper's task).
