# Shared by TorchConfig.cmake and TorchConfigVersion.cmake: TORCH_WHEEL_DIR (the torch package
# folder; default: where `python3 -c "import torch"` finds it) and TORCH_WHEEL_VERSION (its
# torch/version.py, without the "+cu124"-style suffix).
if(NOT TORCH_WHEEL_DIR)
  find_program(TORCH_WHEEL_PYTHON NAMES python3 python)
  if(TORCH_WHEEL_PYTHON)
    execute_process(COMMAND "${TORCH_WHEEL_PYTHON}" -c
                            "import os, torch; print(os.path.dirname(torch.__file__))"
                    OUTPUT_VARIABLE _torch_wheel_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                    ERROR_QUIET)
  endif()
  set(TORCH_WHEEL_DIR "${_torch_wheel_dir}" CACHE PATH "The torch package folder (site-packages/torch)")
  unset(_torch_wheel_dir)
endif()
set(TORCH_WHEEL_VERSION "")
if(EXISTS "${TORCH_WHEEL_DIR}/version.py")
  file(STRINGS "${TORCH_WHEEL_DIR}/version.py" _torch_wheel_line REGEX "^__version__ *=")
  string(REGEX REPLACE "^__version__ *= *['\"]([^'\"+]*).*" "\\1" TORCH_WHEEL_VERSION "${_torch_wheel_line}")
  unset(_torch_wheel_line)
endif()
