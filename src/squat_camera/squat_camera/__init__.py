"""squat_camera: a usb_cam-style camera node for V4L2 devices, video files and image folders."""
