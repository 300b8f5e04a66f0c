// Linear thread index for kernels dispatched with Kernel.dispatch1d, which folds
// large counts into a 2-D grid. `wg_size` must equal the kernel's @workgroup_size.
fn linear_index(gid: vec3<u32>, nwg: vec3<u32>, wg_size: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg_size;
}
