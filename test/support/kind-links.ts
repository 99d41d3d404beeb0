import { kindOf } from '../../lambda/kinds/registry';
import type { KindFacts } from '../../lambda/use-cases/ports';

/** The registry's console links, as the runtime hands them to the use cases (UseCaseDeps.kinds). */
export const kindLinks: KindFacts['consoleLinks'] = (target, region, deploymentRef) =>
  kindOf(target).consoleLinks(target, region, deploymentRef);

/** The registry's facts, as the runtime builds them. */
export const kindFacts: KindFacts = {
  consoleLinks: kindLinks,
  alwaysInspect: (target) => kindOf(target).sweep.alwaysInspect,
  redeployNeedsArtifact: (target) => kindOf(target).redeployNeedsArtifact,
};
