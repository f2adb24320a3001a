/** Admission control: bounds on the work queued at each deployment. */
package org.cornserve.planner.schedule.admit;
