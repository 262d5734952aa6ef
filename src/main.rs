//! tinygen: renders files from Docker container metadata and keeps them current. The work
//! is in the library (`lib.rs`), so the benchmarks can reach the render step.

fn main() -> std::process::ExitCode {
    tinygen::main()
}
