/** One replica's engine time-shared by its colocated unit tasks, and the policy that interleaves them. */
package org.cornserve.planner.schedule.replica;
