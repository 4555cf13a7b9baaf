//! The allocator of the `analyze` and `profile` examples and of the
//! pipeline bench: mimalloc, told to hand freed memory back to the system
//! at once. Included with `#[path]` (it is not an example of its own).
//!
//! Against glibc's malloc (with its mmap threshold pinned at 128 KiB, as
//! `analyze` had it before), `analyze` on seed 11's 200,000 generated
//! employees, 5 runs of each, alternating, one core busy with a fuzzer at
//! low priority: 2012 shape (129 MB of CSV) 2.58–3.63 s (median 2.99)
//! against 3.29–3.86 s (3.41), peak resident set 246,548–253,928 KiB
//! against 245,472–253,248 KiB; 1990 shape (241 MB) 4.56–5.39 s (5.12)
//! against 4.91–6.07 s (5.35), 372,560–381,876 KiB against
//! 372,988–383,548 KiB. Outputs byte-identical.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets mimalloc's purge delay to 0 ms (freed memory goes back to the
/// system at once rather than a second later), unless
/// `MIMALLOC_PURGE_DELAY` is set in the environment (mimalloc reads that
/// itself). With mimalloc's default the peak resident set of `analyze` on
/// the 2012-shape files above was 322,376–334,528 KiB. Call it first in
/// `main`, before any thread starts.
///
/// It also turns transparent huge pages off for the process (Linux's
/// `PR_SET_THP_DISABLE`), unless `MIMALLOC_ALLOW_THP` is set in the
/// environment (mimalloc reads that itself, before `main`). Where the
/// system gives huge pages to every large mapping (`always`), memory that
/// is handed back at once comes back as whole 2 MiB pages, each zeroed in
/// full when first touched, and the resident set counts every page a
/// block has touched. `analyze` on seed 11's 2012-shape files at 200,000
/// employees, 5 runs of each alternating: peak 231,320–235,744 KiB against
/// 237,160–248,160 KiB with huge pages (at other times up to 260,884 KiB,
/// twice the CSV); wall time not separable (1.77–1.99 s against
/// 1.73–1.93 s). 1990 shape: 355,868–373,040 KiB against
/// 368,508–382,276 KiB. At 1,000,000 employees, 2 runs of each: 2012
/// shape 10.50–10.96 s against 10.80–11.23 s, 1,074,148–1,075,624 KiB
/// against 1,098,512–1,111,736 KiB; 1990 shape 16.52–17.13 s against
/// 17.19–18.01 s, 1,699,536–1,711,020 KiB against 1,720,804–1,776,820 KiB.
/// System time falls (page faults of 4 KiB zero less than whole huge
/// pages), user time rises a little (more TLB misses).
///
/// (`MIMALLOC_ARENA_EAGER_COMMIT=0` in the environment lowers that peak to
/// 221,460–227,264 KiB but costs about 0.4 s there; set from here it has
/// no effect, the first arena being made before `main`.)
pub fn tune() {
    // Its position in mimalloc.h's `mi_option_e` (the same in mimalloc 2
    // and 3); the Rust bindings leave this option unnamed.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an allocator option; `mi_option_set` is not thread
        // safe, and this runs before any other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: `prctl` with PR_SET_THP_DISABLE takes an integer flag and
        // touches no memory of ours; it sets a flag of the process that
        // the kernel reads when it next maps a page. A failure (an old
        // kernel) leaves huge pages as they were, which only costs memory.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}
