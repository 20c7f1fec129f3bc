# LibTorch from a pip torch package (a "wheel"), without the CUDA toolkit check of the package's
# own TorchConfig.cmake, which wants nvcc where GPU machines with a pip torch often have none.
# LibTorch's libraries and headers come from the torch package, the CUDA headers from pip's
# nvidia-* packages or a toolkit. The device run (scripts/gpu-check.sh) configures with it where
# its pre-flight finds no toolkit for torch's own config, or that config fails to configure; a
# CPU rehearsal uses it with Debian's python3-torch. By hand:
#
#   cmake -DTorch_DIR=<repository>/cmake/torch-wheel -DTORCH_WHEEL_DIR=<site-packages>/torch \
#         -DTORCH_WHEEL_CUDA=ON -DTORCH_WHEEL_CUDA_INCLUDE_DIRS="<inc>;<inc>" \
#         -DTORCH_WHEEL_CUDA_LIBRARY_DIRS="<lib>;<lib>" -DTORCH_WHEEL_CUDART=<lib>/libcudart.so.12
#
#   TORCH_WHEEL_DIR                the torch package folder (default: python3's torch, else
#                                  /usr/bin/python3's)
#   TORCH_WHEEL_CUDA               ON: the torch_cuda target (the project's CUDA-only code then
#                                  compiles); OFF: no such target (no CUDA-only code, but
#                                  libtorch_cuda is still linked, so the GPU still works).
#                                  Default: ON where the package has libtorch_cuda.so
#   TORCH_WHEEL_CUDA_INCLUDE_DIRS  CUDA headers, cuda_runtime's first (default: the include
#                                  folders of site-packages/nvidia/*; /usr/local/cuda/include
#                                  where there are none)
#   TORCH_WHEEL_CUDA_LIBRARY_DIRS  their libraries (default: site-packages/nvidia/*/lib)
#   TORCH_WHEEL_CUDART             libcudart, linked with TORCH_WHEEL_CUDA (default: the first
#                                  libcudart.so* there)
#
# Sets what torch's own config sets and projects use: Torch_FOUND, Torch_VERSION,
# TORCH_INSTALL_PREFIX, TORCH_INCLUDE_DIRS, TORCH_CXX_FLAGS, TORCH_LIBRARIES (the target
# torch_library), and imported targets c10, torch_cpu, torch, c10_cuda and torch_cuda.
include("${CMAKE_CURRENT_LIST_DIR}/TorchWheelLocate.cmake")
set(_tw_lib "${TORCH_WHEEL_DIR}/lib")
if(NOT TORCH_WHEEL_DIR OR NOT EXISTS "${_tw_lib}/libtorch.so")
  set(Torch_FOUND FALSE)
  set(Torch_NOT_FOUND_MESSAGE "no LibTorch at TORCH_WHEEL_DIR='${TORCH_WHEEL_DIR}' (lib/libtorch.so)")
  return()
endif()
if(NOT DEFINED TORCH_WHEEL_CUDA)
  if(EXISTS "${_tw_lib}/libtorch_cuda.so")
    set(TORCH_WHEEL_CUDA ON)
  else()
    set(TORCH_WHEEL_CUDA OFF)
  endif()
endif()
get_filename_component(_tw_site "${TORCH_WHEEL_DIR}" DIRECTORY)
if(NOT DEFINED TORCH_WHEEL_CUDA_INCLUDE_DIRS)
  file(GLOB TORCH_WHEEL_CUDA_INCLUDE_DIRS LIST_DIRECTORIES true "${_tw_site}/nvidia/*/include")
  list(FILTER TORCH_WHEEL_CUDA_INCLUDE_DIRS INCLUDE REGEX "/cuda_runtime/")
  file(GLOB _tw_more LIST_DIRECTORIES true "${_tw_site}/nvidia/*/include")
  list(APPEND TORCH_WHEEL_CUDA_INCLUDE_DIRS ${_tw_more})
  list(REMOVE_DUPLICATES TORCH_WHEEL_CUDA_INCLUDE_DIRS)
endif()
if(NOT DEFINED TORCH_WHEEL_CUDA_LIBRARY_DIRS)
  file(GLOB TORCH_WHEEL_CUDA_LIBRARY_DIRS LIST_DIRECTORIES true "${_tw_site}/nvidia/*/lib")
endif()
if(NOT DEFINED TORCH_WHEEL_CUDART)
  set(TORCH_WHEEL_CUDART "")
  foreach(_tw_dir IN LISTS TORCH_WHEEL_CUDA_LIBRARY_DIRS)
    file(GLOB _tw_found "${_tw_dir}/libcudart.so*")
    if(_tw_found AND NOT TORCH_WHEEL_CUDART)
      list(SORT _tw_found)
      list(GET _tw_found 0 TORCH_WHEEL_CUDART)
    endif()
  endforeach()
endif()

set(Torch_FOUND TRUE)
set(Torch_VERSION "${TORCH_WHEEL_VERSION}")
set(TORCH_INSTALL_PREFIX "${TORCH_WHEEL_DIR}")
set(TORCH_INCLUDE_DIRS "${TORCH_WHEEL_DIR}/include" "${TORCH_WHEEL_DIR}/include/torch/csrc/api/include")
if(TORCH_WHEEL_CUDA)
  list(APPEND TORCH_INCLUDE_DIRS ${TORCH_WHEEL_CUDA_INCLUDE_DIRS})
  if(NOT TORCH_WHEEL_CUDA_INCLUDE_DIRS AND EXISTS /usr/local/cuda/include)
    list(APPEND TORCH_INCLUDE_DIRS /usr/local/cuda/include)
  endif()
endif()
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=1")

set(_tw_names c10 torch_cpu torch)
if(EXISTS "${_tw_lib}/libtorch_cuda.so")
  list(APPEND _tw_names c10_cuda torch_cuda)
endif()
set(_tw_links "")
set(_tw_made "")
foreach(_tw_name IN LISTS _tw_names)
  set(_tw_file "${_tw_lib}/lib${_tw_name}.so")
  if(NOT EXISTS "${_tw_file}")
    continue()
  endif()
  # Without the CUDA code, libtorch_cuda is linked under another name: the project takes a
  # torch_cuda target to mean "compile the CUDA-only code".
  set(_tw_target ${_tw_name})
  if(_tw_name STREQUAL "torch_cuda" AND NOT TORCH_WHEEL_CUDA)
    set(_tw_target hz_torch_cuda)
  endif()
  if(NOT TARGET ${_tw_target})
    add_library(${_tw_target} SHARED IMPORTED)
    set_target_properties(${_tw_target} PROPERTIES IMPORTED_LOCATION "${_tw_file}")
  endif()
  # As torch's own config does: keep the library where the linker drops unused ones, since its
  # static initialisers register the CPU and CUDA backends.
  list(APPEND _tw_links "-Wl,--no-as-needed,${_tw_file} -Wl,--as-needed" ${_tw_target})
  list(APPEND _tw_made ${_tw_target})
endforeach()
if(TORCH_WHEEL_CUDA AND TORCH_WHEEL_CUDART)
  list(APPEND _tw_links "${TORCH_WHEEL_CUDART}")
endif()
# A LibTorch built with glog (Debian's) needs it linked too.
set(_tw_macros "${TORCH_WHEEL_DIR}/include/c10/macros/cmake_macros.h")
if(EXISTS "${_tw_macros}")
  file(STRINGS "${_tw_macros}" _tw_glog REGEX "^#define C10_USE_GLOG")
  if(_tw_glog)
    find_library(HZ_GLOG glog REQUIRED)
    find_library(HZ_GFLAGS gflags REQUIRED)
    list(APPEND _tw_links "${HZ_GLOG}" "${HZ_GFLAGS}")
  endif()
endif()
set(_tw_link_dirs "${_tw_lib}" ${TORCH_WHEEL_CUDA_LIBRARY_DIRS})
list(JOIN _tw_link_dirs ":" _tw_link_dirs)
list(APPEND _tw_links "-Wl,-rpath-link,${_tw_link_dirs}")

if(NOT TARGET torch_library)
  add_library(torch_library INTERFACE IMPORTED)
  set_target_properties(torch_library PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${TORCH_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${_tw_links}")
endif()
set(TORCH_LIBRARIES torch_library)
message(STATUS "torch-wheel: LibTorch ${Torch_VERSION} from ${TORCH_WHEEL_DIR}: ${_tw_made}; "
               "CUDA target ${TORCH_WHEEL_CUDA}")
foreach(_tw_var _tw_lib _tw_site _tw_more _tw_dir _tw_found _tw_names _tw_name _tw_file _tw_target
                _tw_links _tw_made _tw_macros _tw_glog _tw_link_dirs)
  unset(${_tw_var})
endforeach()
