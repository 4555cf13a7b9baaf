//! Tutorial.
