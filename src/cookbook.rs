//! Cookbook.
