# Given with --var-file.
network_mode = "host"
