from fargate_batch.plan_report.runner import main

raise SystemExit(main())
