# Source this file (bash): `source scripts/env.sh`. It gives the environment scripts/setup built:
# the ROS 2 Jazzy underlay (native, or the PyPI wheels in .venv), .venv, and the workspace.
_squat_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$_squat_root/.venv/squat-mode" ] || [ ! -f "$_squat_root/install/local_setup.bash" ]; then
  echo "squat coach is not set up yet: run $_squat_root/scripts/setup" >&2
  unset _squat_root
  return 1 2>/dev/null || exit 1
fi
{ read -r _squat_mode; read -r _squat_ros_setup || true; } < "$_squat_root/.venv/squat-mode"
if [ "$_squat_mode" = "native" ] && [ "${ROS_DISTRO:-}" != "jazzy" ]; then
  # shellcheck source=/dev/null
  source "$_squat_ros_setup"
fi
# shellcheck source=/dev/null
source "$_squat_root/.venv/bin/activate"
if [ "$_squat_mode" = "wheels" ]; then
  # The venv itself is the ament prefix of the ROS 2 core.
  case ":${AMENT_PREFIX_PATH:-}:" in
    *":$VIRTUAL_ENV:"*) ;;
    *) export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}" ;;
  esac
  case ":${CMAKE_PREFIX_PATH:-}:" in
    *":$VIRTUAL_ENV:"*) ;;
    *) export CMAKE_PREFIX_PATH="$VIRTUAL_ENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}" ;;
  esac
fi
# shellcheck source=/dev/null
source "$_squat_root/install/local_setup.bash"
# Fast DDS on loopback only, with a shared-memory segment that holds a 640x480 image (the
# default 512 kB does not, which sends images over UDP). Set FASTRTPS_DEFAULT_PROFILES_FILE
# before sourcing to use your own profile, e.g. to reach other hosts.
export FASTRTPS_DEFAULT_PROFILES_FILE="${FASTRTPS_DEFAULT_PROFILES_FILE:-$_squat_root/install/squat_bringup/share/squat_bringup/config/fastdds.xml}"
export SQUAT_COACH_ROOT="$_squat_root"
unset _squat_root _squat_mode _squat_ros_setup
