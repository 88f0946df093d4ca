# Injected into every CMake project by scripts/setup (CMAKE_PROJECT_INCLUDE). Where the ROS 2
# core comes from the PyPI wheels, their exported rosidl_generator_py targets name the include
# directories of the machine that built the wheels (/opt/python/cp311-cp311/...), which do not
# exist here, and CMake refuses to generate a build that uses such a target. At the end of the
# top-level directory, after every find_package() has created its imported targets, those
# directories are rewritten to this venv's Python and numpy headers. Nothing outside the build
# tree is touched.
if(NOT DEFINED SQUAT_PYTHON_INCLUDE OR NOT DEFINED SQUAT_NUMPY_INCLUDE)
  message(FATAL_ERROR "fix_wheel_include_dirs.cmake needs SQUAT_PYTHON_INCLUDE and SQUAT_NUMPY_INCLUDE")
endif()

set(_squat_wheel_python_include "/opt/python/cp311-cp311/include/python3.11")
set(_squat_wheel_numpy_include
  "/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include")

function(_squat_fix_wheel_include_dirs)
  get_directory_property(_targets DIRECTORY "${CMAKE_SOURCE_DIR}" IMPORTED_TARGETS)
  foreach(_target IN LISTS _targets)
    get_target_property(_dirs ${_target} INTERFACE_INCLUDE_DIRECTORIES)
    if(_dirs AND "${_dirs}" MATCHES "^/opt/python/|;/opt/python/")
      string(REPLACE "${_squat_wheel_numpy_include}" "${SQUAT_NUMPY_INCLUDE}" _dirs "${_dirs}")
      string(REPLACE "${_squat_wheel_python_include}" "${SQUAT_PYTHON_INCLUDE}" _dirs "${_dirs}")
      set_target_properties(${_target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_dirs}")
    endif()
  endforeach()
endfunction()

cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _squat_fix_wheel_include_dirs)
