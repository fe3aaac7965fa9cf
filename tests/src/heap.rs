//! Counting heap bytes, for the kvsrv memory test: a global allocator that keeps, per thread, the
//! bytes allocated minus the bytes freed on that thread.
//!
//! A simulation runs on one thread of its own, so the count moves only with what that simulation
//! allocates and frees. The memory test reads it just before and just after tearing a server
//! instance down (its labrpc registration, its handlers, its node's tasks and its state): the
//! difference is exactly the bytes that instance held and nothing else held. A test binary opts
//! in by declaring
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: raft_lab_tests::heap::CountingAlloc = raft_lab_tests::heap::CountingAlloc;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread. A `const` Cell without a destructor: the
    /// allocator may touch it at any time, even while the thread exits.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(bytes: i64) {
    let _ = LIVE.try_with(|live| live.set(live.get() + bytes));
}

/// The system allocator, counting.
pub struct CountingAlloc;

// SAFETY: every call is forwarded to `System` with the same arguments; counting touches only a
// thread-local Cell and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Bytes allocated minus bytes freed on this thread so far (0 forever without the allocator).
pub fn live_bytes() -> i64 {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// Whether this binary counts with [`CountingAlloc`].
pub fn counting() -> bool {
    let before = live_bytes();
    let probe = std::hint::black_box(vec![0u8; 64]);
    let counted = live_bytes() - before >= 64;
    drop(probe);
    counted
}
