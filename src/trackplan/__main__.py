from trackplan.cli import main

main()
