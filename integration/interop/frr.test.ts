// Interop with FRR's bgpd: see interop.ts for what is proven; FRR also proves graceful restart.
import { describeInterop } from './interop.js';
import { FrrRouter } from './routers/frr.js';
import { frrSkipReason } from '../support/frr.js';

describeInterop('FRR', frrSkipReason, (lab, ns, neighbors) => new FrrRouter(lab, ns, neighbors));
