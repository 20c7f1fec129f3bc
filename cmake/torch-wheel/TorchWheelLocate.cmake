# Shared by TorchConfig.cmake and TorchConfigVersion.cmake: TORCH_WHEEL_DIR (the torch package
# folder; default: where the first of python3, python and /usr/bin/python3 that imports torch
# finds it: a pip wheel's site-packages/torch, or Debian's python3-torch, whose lib/ and include/
# link to /usr/lib/<arch> and /usr/include) and TORCH_WHEEL_VERSION (its torch/version.py,
# without the "+cu130"-style suffix).
if(NOT TORCH_WHEEL_DIR)
  set(_torch_wheel_dir "")
  find_program(TORCH_WHEEL_PYTHON NAMES python3 python)
  foreach(_torch_wheel_python IN ITEMS "${TORCH_WHEEL_PYTHON}" /usr/bin/python3)
    if(_torch_wheel_dir OR NOT EXISTS "${_torch_wheel_python}")
      continue()
    endif()
    execute_process(COMMAND "${_torch_wheel_python}" -c
                            "import os, torch; print(os.path.dirname(torch.__file__))"
                    OUTPUT_VARIABLE _torch_wheel_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                    ERROR_QUIET)
  endforeach()
  set(TORCH_WHEEL_DIR "${_torch_wheel_dir}" CACHE PATH "The torch package folder (site-packages/torch)")
  unset(_torch_wheel_dir)
  unset(_torch_wheel_python)
endif()
set(TORCH_WHEEL_VERSION "")
if(EXISTS "${TORCH_WHEEL_DIR}/version.py")
  file(STRINGS "${TORCH_WHEEL_DIR}/version.py" _torch_wheel_line REGEX "^__version__ *=")
  string(REGEX REPLACE "^__version__ *= *['\"]([^'\"+]*).*" "\\1" TORCH_WHEEL_VERSION "${_torch_wheel_line}")
  unset(_torch_wheel_line)
endif()
