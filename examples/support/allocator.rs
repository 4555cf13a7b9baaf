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
}
