from coi_desktop.cli import main

raise SystemExit(main())
