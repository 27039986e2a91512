//! Simulated ML302 module (simulator helper's task).
