// Float atomic add by compare-exchange on the bit pattern: WGSL has no float
// atomics. Contended adds retry; callers should pre-reduce in workgroup memory
// where many threads hit one address.
fn atomic_add_f32(p: ptr<storage, atomic<u32>, read_write>, v: f32) {
  if (v == 0.0) { return; }
  var old = atomicLoad(p);
  loop {
    let next = bitcast<u32>(bitcast<f32>(old) + v);
    let r = atomicCompareExchangeWeak(p, old, next);
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
