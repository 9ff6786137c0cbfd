//! TEMPORARY (A2 local, replaced by A1's mod.rs at merge).
pub mod ensemble;
pub mod materialize;
