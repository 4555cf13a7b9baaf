//! The allocator of the `analyze` and `profile` examples and of the
//! pipeline bench: mimalloc, told to hand freed memory back to the system
//! at once, or on large inputs soon ([`tune`]). Included with `#[path]` (it is not an example of its own).
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

/// Input (bytes of the files read) from which freed memory is kept for
/// reuse a little while ([`KEPT_MS`]) instead of going back to the system
/// at once: 512 MiB.
///
/// Handing memory back at once costs time: each block handed back is an
/// `madvise` call that stops the other core to flush its TLB, and the next
/// block the program asks for is zeroed again by the kernel, page by page.
/// `analyze` at 1,000,000 employees (seed 11, alternating runs): careers
/// from 2000, 988 MB of CSV, 5 pairs, 100 ms against at once: 17.8 s
/// against 21.0 s, system time 4.4 against 8.9 s, 1.31 against 1.92
/// million page faults, peak 1,492,120–1,529,300 KiB against
/// 1,439,808–1,475,260 KiB (1.59× the CSV at most against 1.53×); careers from 2012,
/// 644 MB, 2 pairs: 11.9 against 12.3 s, system 3.2 against 4.1 s, peak
/// 1,078,768–1,079,908 against 1,013,420–1,044,528 KiB (1.72× the CSV at most against 1.66×).
/// On small inputs the memory kept is a large share of the peak: at
/// 200,000 employees (careers from 2012, 125 MB of CSV, 3 pairs) 100 ms
/// took the peak from 223,936–225,088 KiB to 247,228–262,924 KiB, up to
/// 2.1× the CSV, for 2.21 against 2.48 s. Below this size freed memory
/// goes back at once.
pub const KEEP_FREED_FROM: u64 = 512 << 20;

/// How long freed memory is kept for reuse from [`KEEP_FREED_FROM`]:
/// mimalloc's purge delay, in milliseconds (mimalloc 3 purges its arenas
/// after it times `arena_purge_mult`, 1 unless set). 300 ms bought a little
/// more time at 1,000,000 employees (careers from 2012: 12.6 s against
/// 13.7 s at once) but took the peak to 1,150,532 KiB, 1.83× the CSV.
pub const KEPT_MS: i64 = 100;

/// The bytes of the files at `paths` (those that cannot be read count 0).
pub fn input_bytes(paths: &[&std::path::Path]) -> u64 {
    paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

/// Sets mimalloc's purge delay for an input of `input_bytes`: 0 ms (freed
/// memory goes back to the system at once rather than a second later,
/// mimalloc's default) below
/// [`KEEP_FREED_FROM`], [`KEPT_MS`] from it; unless `MIMALLOC_PURGE_DELAY`
/// is set in the environment (mimalloc reads that itself). With
/// mimalloc's default the peak resident set of `analyze` on the 2012-shape
/// files at 200,000 employees was 322,376–334,528 KiB. Call it first in
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
pub fn tune(input_bytes: u64) {
    // SAFETY: `mi_option_set` is not thread safe, and this runs before any
    // other thread exists.
    unsafe { retune(input_bytes) }
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

/// The purge delay of [`tune`] for another input, in a process that runs
/// several (the pipeline bench), unless `MIMALLOC_PURGE_DELAY` is set.
///
/// # Safety
///
/// No other thread may allocate, free or read mimalloc's options while it
/// runs (`mi_option_set` is not thread safe): call it between runs, with
/// every worker thread idle.
pub unsafe fn retune(input_bytes: u64) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // Its position in mimalloc.h's `mi_option_e` (the same in mimalloc 2
    // and 3); the Rust bindings leave this option unnamed.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    let ms = if input_bytes >= KEEP_FREED_FROM {
        KEPT_MS
    } else {
        0
    };
    // SAFETY: the caller's promise: no other thread uses the allocator.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ms as _) }
}
