#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    from portal.startup import settings_or_exit

    settings_or_exit()  # a configuration error as its message, not a traceback

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
