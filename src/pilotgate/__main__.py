from pilotgate.cli import main

main()
