//! What every target shares (included with `#[path]`, not a target).

thread_local! {
    /// Rayon's pool for this thread: one worker, this thread itself
    /// (`use_current_thread`), so that the parallel iterators of the code
    /// under test run here, in order, without handing work to another
    /// thread and waiting for it (which cost more than the work on the small
    /// inputs a fuzzer makes). The code paths are those of any pool size.
    static POOL: rayon::ThreadPool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .expect("a pool of one thread, this one");
}

/// Makes this thread rayon's only worker (once per thread).
pub fn on_this_thread() {
    POOL.with(|_| ());
}
