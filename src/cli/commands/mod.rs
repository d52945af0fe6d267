//! The handlers behind the commands, one file per target (and one for `cost`): they load,
//! call the library's stages, and print.

pub mod agents;
pub mod cost;
pub mod direct;
pub mod flow;
pub mod harness;
