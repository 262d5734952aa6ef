//! The function library: docker-gen's functions and sprig's, over `Value`.
