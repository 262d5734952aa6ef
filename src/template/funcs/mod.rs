//! The function library: docker-gen's functions and sprig's, over `Value`.

use crate::template::go::FuncTable;

pub fn register(_table: &mut FuncTable) {}
